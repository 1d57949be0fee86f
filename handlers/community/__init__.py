"""The community: activities residents sign up for (社區文化活動)."""
