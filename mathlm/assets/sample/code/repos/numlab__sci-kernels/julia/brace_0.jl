{
  "name": "Manifest",
  "julia_version": "1.8.0",
  "deps": {}
}
