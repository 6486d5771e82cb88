"""The API's messages in the caller's language (services: negotiation and wording by
English template; vietnamese: the table)."""

__all__ = ["services", "vietnamese"]
