"""The seam between the desk and the chat apps people use.

What a person is shown is built once as channel-neutral content (`content`): a text, a set of
choices (a label and an opaque token of at most 64 bytes each), photos and documents, and an
ask (a photo, a location, a date and time, a contact). What a person does arrives as a
channel-neutral `Turn` (`turns`): who, from which account and chat, with a text, a token, photos,
a voice note, a location or a contact. The area flows in `handlers/` read turns and write
content; they import no chat app's library. Each chat app has an adapter in a folder of its
own here (`telegram/`), which turns its updates into turns, content into its messages,
keyboards and edits, knows its limits (`Limits`), and says what each of its app's faults
means for the outbox (`outcomes`: unreachable, try again after a wait, refused as bad, or
unknown whether it was shown), which delivers every message through the adapter of its
recipient's channel (handlers/notices.py)."""
