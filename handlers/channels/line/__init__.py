"""LINE's adapter (the Messaging API, through LINE's own `line-bot-sdk` v3 async client):
loaded only when an estate has LINE set (bot/line.py), so a Telegram-only desk never imports
it.

- `api.py`: the SDK's clients for the API and content hosts, from the channel's settings.
- `messages.py`: content as LINE messages: quick replies (at most 13), Flex cards for choices
  under a card, camera / camera roll / location / date-time asks as quick-reply actions.
- `channel.py`: `LineChannel`: the replies of a turn go in one reply call (the event's reply
  token: free), the rest and the outbox's messages are pushed, each with `X-Line-Retry-Key`
  made from the outbox message (a retried push is never shown twice); no edits.
- `turns.py`: a webhook event as a `Turn` (a postback's data is the choice's token; one that
  starts with "/" is a command, as the rich menu sends them; following the account is /start).
- `front.py`: the webhook: the signature checked before anything is read, each event once
  (`webhookEventId`), one event of a person at a time, answered once handled.
- `media.py`: what people send is fetched from LINE's content host at once (LINE deletes it)
  and kept by the desk; what the desk shows on LINE is served at a signed address.
- `menus.py`: rich menus by role and language, linked to each person.
- `budget.py`: the month's pushes against the plan's quota."""
