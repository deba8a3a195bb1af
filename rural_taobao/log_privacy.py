"""No personal data in logs: mainland mobile numbers are masked (138****8000) in what a
handler writes — usernames of partners are phone numbers, and villagers' phones appear
in paths, messages and exception text (a unique-violation's DETAIL names the value).

The formatter masks its whole output, so the traceback and stack text that
``Formatter.format`` adds after every filter has run are masked too. The filter stays for
handlers that keep their own formatter (it masks the message and any traceback text
already formatted)."""

import logging

from .phones import mask_phones


class MaskPhoneNumbersFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_phones(super().format(record))


class MaskPhoneNumbersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = mask_phones(record.exc_text)
        return True
