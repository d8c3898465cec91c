"""Kinga: a health-insurance management information system."""
