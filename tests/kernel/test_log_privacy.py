"""No personal data in logs: phone numbers are masked by the logging configuration."""

import logging

from rural_taobao.log_privacy import MaskPhoneNumbersFilter
from rural_taobao.phones import mask_phones


def test_mask_phones_keeps_other_numbers():
    assert mask_phones("villager 13812348000 bought order 410225-20261129-00012") == (
        "villager 138****8000 bought order 410225-20261129-00012"
    )
    assert mask_phones("amount 138123480001 is not a phone") == "amount 138123480001 is not a phone"


def test_the_console_handler_masks_phones_in_messages_and_arguments(caplog):
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "login failed for %s", ("13900001111",), None)
    assert MaskPhoneNumbersFilter().filter(record)
    assert record.getMessage() == "login failed for 139****1111"


def test_settings_attach_the_filter_to_the_console_handler(settings):
    assert "mask_phones" in settings.LOGGING["handlers"]["console"]["filters"]
