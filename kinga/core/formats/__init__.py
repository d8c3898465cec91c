"""Kinga's formats by language (FORMAT_MODULE_PATH): dates read dd/mm/yyyy in both languages,
as in Cameroon; French keeps Django's own (« 05/12/2026 », « 05/12/2026 14:30 »)."""
