"""Running untrusted submission code in a separate, confined process."""
