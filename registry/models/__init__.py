from .access import Grant
from .audit import AccessLogEntry, ChainHead, Checkpoint, Holiday
from .documents import Document
from .lifecycle import CopyRecord, Destruction, HandOver, LevelChange, Loan
from .people import Unit, User
from .registers import NumberSequence, RegisterBook
from .storage import Dossier, StorageLocation

__all__ = [
    "AccessLogEntry",
    "ChainHead",
    "Checkpoint",
    "CopyRecord",
    "Destruction",
    "Document",
    "Dossier",
    "Grant",
    "HandOver",
    "Holiday",
    "LevelChange",
    "Loan",
    "NumberSequence",
    "RegisterBook",
    "StorageLocation",
    "Unit",
    "User",
]
