"""Evaluation and forecast reasons: stable codes and sentences a nurse understands.

Codes are short ASCII strings stored with results (and in the database); the text is
for people, in Vietnamese (``"vi"``, the default) and English (``"en"``)::

    >>> describe(TOO_YOUNG, lang="en")
    'Given too early: the child was younger than the minimum age for this dose.'
"""

from __future__ import annotations

__all__ = [
    "AGED_OUT",
    "CANNOT_FINISH",
    "COMPLETE",
    "CONTRAINDICATED",
    "EXPIRED",
    "GRACE_PERIOD_AGE",
    "GRACE_PERIOD_INTERVAL",
    "IMMUNE",
    "INADVERTENT",
    "LIVE_VIRUS_CONFLICT",
    "LOW_VOLUME",
    "NOT_ALLOWABLE",
    "NOT_RECOMMENDED_HISTORY",
    "PAST_SEASON",
    "SERIES_COMPLETE",
    "SUBSTANDARD",
    "TOO_OLD",
    "TOO_SOON",
    "TOO_YOUNG",
    "UNKNOWN_VACCINE",
    "describe",
]

# --- dose evaluation (chapter 6)
SUBSTANDARD = "substandard"  # 6.1: dose condition (recall, cold chain, partial dose)
EXPIRED = "expired"  # 6.1: given after the lot expired
INADVERTENT = "inadvertent"  # 6.3
TOO_YOUNG = "too_young"  # 6.4
TOO_OLD = "too_old"  # 6.4
GRACE_PERIOD_AGE = "grace_period_age"  # 6.4: valid thanks to the 4-day grace period
TOO_SOON = "too_soon"  # 6.5 / 6.6
GRACE_PERIOD_INTERVAL = "grace_period_interval"  # 6.5
LIVE_VIRUS_CONFLICT = "live_virus_conflict"  # 6.7
NOT_ALLOWABLE = "not_allowable"  # 6.8 / 6.9
LOW_VOLUME = "low_volume"  # 6.8: valid, but less than the recommended volume
SERIES_COMPLETE = "series_complete"  # 4.4: extra dose after the series was complete
UNKNOWN_VACCINE = "unknown_vaccine"  # 4.2: vaccine code unknown to the schedule

# --- forecast (chapter 7)
COMPLETE = "complete"
IMMUNE = "immune"
CONTRAINDICATED = "contraindicated"
AGED_OUT = "aged_out"
CANNOT_FINISH = "cannot_finish"
PAST_SEASON = "past_season"
NOT_RECOMMENDED_HISTORY = "not_recommended_history"

_TEXT: dict[str, tuple[str, str]] = {
    SUBSTANDARD: (
        "Liều không đạt chuẩn (thu hồi, hỏng dây chuyền lạnh hoặc tiêm thiếu): cần tiêm lại.",
        "Sub-standard dose (recall, cold-chain break or partial dose): it must be repeated.",
    ),
    EXPIRED: (
        "Vắc xin đã hết hạn khi tiêm: liều này không được tính, cần tiêm lại.",
        "The vaccine was expired when given: this dose does not count and must be repeated.",
    ),
    INADVERTENT: (
        "Tiêm nhầm loại vắc xin cho liều này: liều không được tính.",
        "The wrong vaccine was given for this dose: it does not count.",
    ),
    TOO_YOUNG: (
        "Tiêm quá sớm: trẻ chưa đủ tuổi tối thiểu cho liều này.",
        "Given too early: the child was younger than the minimum age for this dose.",
    ),
    TOO_OLD: (
        "Tiêm khi đã quá tuổi tối đa cho liều này: liều không cần thiết.",
        "Given after the maximum age for this dose: the dose was not needed.",
    ),
    GRACE_PERIOD_AGE: (
        "Hợp lệ: tiêm sớm vài ngày nhưng vẫn trong khoảng cho phép 4 ngày.",
        "Valid: given a few days early, within the 4-day grace period for age.",
    ),
    TOO_SOON: (
        "Tiêm quá gần liều trước: chưa đủ khoảng cách tối thiểu giữa hai liều.",
        "Given too soon after the previous dose: the minimum interval was not met.",
    ),
    GRACE_PERIOD_INTERVAL: (
        "Hợp lệ: khoảng cách ngắn hơn vài ngày nhưng vẫn trong khoảng cho phép 4 ngày.",
        "Valid: a few days short of the interval, within the 4-day grace period.",
    ),
    LIVE_VIRUS_CONFLICT: (
        "Tiêm quá gần một vắc xin sống khác (cần cách nhau ít nhất 28 ngày): cần tiêm lại.",
        "Given too close to another live vaccine (they must be 28 days apart): repeat it.",
    ),
    NOT_ALLOWABLE: (
        "Loại vắc xin này không được dùng cho liều này ở độ tuổi đó: liều không được tính.",
        "This vaccine is not approved for this dose at that age: the dose does not count.",
    ),
    LOW_VOLUME: (
        "Hợp lệ, nhưng lượng vắc xin tiêm ít hơn liều khuyến cáo.",
        "Valid, but less than the recommended volume was given.",
    ),
    SERIES_COMPLETE: (
        "Liều thừa: đối tượng đã tiêm đủ các liều cần thiết trước đó.",
        "Extra dose: the series was already complete.",
    ),
    UNKNOWN_VACCINE: (
        "Mã vắc xin không có trong lịch tiêm: không đánh giá được liều này.",
        "Vaccine code not in the schedule: this dose could not be assessed.",
    ),
    COMPLETE: (
        "Đã tiêm đủ: không cần thêm liều nào.",
        "Series complete: no more doses are needed.",
    ),
    IMMUNE: (
        "Đã có miễn dịch với bệnh này: không cần tiêm.",
        "The person has evidence of immunity: no vaccination needed.",
    ),
    CONTRAINDICATED: (
        "Có chống chỉ định: không tiêm vắc xin này.",
        "There is a contraindication: do not give this vaccine.",
    ),
    AGED_OUT: (
        "Đã quá tuổi tiêm vắc xin này.",
        "Past the maximum age for this vaccine.",
    ),
    CANNOT_FINISH: (
        "Không còn kịp hoàn thành loạt tiêm trước tuổi tối đa.",
        "The series can no longer be finished before the maximum age.",
    ),
    PAST_SEASON: (
        "Đã hết mùa tiêm khuyến cáo (ví dụ mùa cúm): chờ mùa sau.",
        "The recommended season is over (e.g. flu season): wait for the next one.",
    ),
    NOT_RECOMMENDED_HISTORY: (
        "Không cần tiêm thêm lúc này, dựa trên các liều đã tiêm.",
        "No dose is recommended now, given the doses already received.",
    ),
}


def describe(reason: str, lang: str = "vi") -> str:
    """A one-sentence explanation of ``reason`` for a nurse, in ``"vi"`` or ``"en"``.

    Unknown codes are returned unchanged, so new codes never break a screen.
    """
    text = _TEXT.get(reason)
    if text is None:
        return reason
    return text[1] if lang.lower().startswith("en") else text[0]
