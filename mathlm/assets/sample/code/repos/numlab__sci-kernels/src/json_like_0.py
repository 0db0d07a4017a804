{
  "import numpy": true,
  "config": {
    "seed": 70,
    "steps": 52
  }
}
