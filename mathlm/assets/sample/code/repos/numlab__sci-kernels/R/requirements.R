Requirement {
  Identifier = "REQ-001"
  Text = "The model shall converge"
}
