from . import portal
from . import mailgate
