from . import helpdesk_block_sender
