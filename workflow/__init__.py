"""The rules of each workflow; no Telegram here, and no clock: functions take `now`."""
