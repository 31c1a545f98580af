"""Where a finished letter goes: private atomic files, the drafts and sent folders, the mail client, SMTP."""
