"""A person's own data in the chat: the privacy notice, /mydata and the requests it offers."""
