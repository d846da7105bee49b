"""Delivery: the e-mail, the SMTP send, and the ledger that makes it happen once a week."""
