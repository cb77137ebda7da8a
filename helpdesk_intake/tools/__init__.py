from .intake import (
    TITLE_MAX_LENGTH,
    client_network,
    has_control_characters,
    neutralize_display_name,
    ticket_title,
)
