"""No personal data in logs: mainland mobile numbers in any log record are masked
(138****8000) before a handler writes them — usernames of partners are phone numbers,
and villagers' phones appear in paths and messages."""

import logging

from .phones import mask_phones


class MaskPhoneNumbersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = mask_phones(record.exc_text)
        return True
