<?xml version="1.0" encoding="UTF-8"?>
<Worksheet><Version major="1696"/></Worksheet>
