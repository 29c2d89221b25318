"""Sign-in: Google ID tokens in, our own access and refresh tokens out."""
