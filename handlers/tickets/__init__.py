"""The ticket core of the desk: a report taken by phone or at the counter, looking at tickets,
deadlines and their escalation, and the calls made for residents without the chat app."""
