{
  "name": "Manifest",
  "julia_version": "1.6.0",
  "deps": {}
}
