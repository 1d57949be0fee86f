"""Personal data under Taiwan's 個人資料保護法: who looked at a person's data, what they asked
of the desk, and what the desk did with it."""
