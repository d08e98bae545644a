"""Hand-written fakes of our ports and helpers shared by the tests."""
