"""Staff email: one interface, an SES mailer (deployed) and a file mailer (local)."""
