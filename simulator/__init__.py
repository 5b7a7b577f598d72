"""trustsim: an offline simulator of AWS IAM trust and permission policies."""
