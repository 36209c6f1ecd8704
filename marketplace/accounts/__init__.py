"""People who log in: experts, moderators, company admins and platform admins."""
