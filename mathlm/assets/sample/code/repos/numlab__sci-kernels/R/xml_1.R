<?xml version="1.0" encoding="UTF-8"?>
<project><name>rpackage5</name></project>
