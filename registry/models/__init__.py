from .access import Grant
from .approvals import Approval, ApprovalAct, ApprovalAuthority, ApprovalPaper, Delegation, PositionHolder
from .audit import AccessLogEntry, ChainHead, Checkpoint, Holiday
from .documents import Document
from .lifecycle import Copy, CopyRecord, Destruction, HandOver, LevelChange, Loan, Meeting, Task
from .people import Unit, User
from .production import DataKey, FixityRun, TaskRun, TaskState
from .registers import NumberSequence, RegisterBook
from .storage import Dossier, StorageLocation

__all__ = [
    "AccessLogEntry",
    "Approval",
    "ApprovalAct",
    "ApprovalAuthority",
    "ApprovalPaper",
    "Copy",
    "Delegation",
    "Meeting",
    "PositionHolder",
    "Task",
    "ChainHead",
    "Checkpoint",
    "CopyRecord",
    "DataKey",
    "Destruction",
    "Document",
    "Dossier",
    "FixityRun",
    "Grant",
    "HandOver",
    "Holiday",
    "LevelChange",
    "Loan",
    "NumberSequence",
    "RegisterBook",
    "StorageLocation",
    "TaskRun",
    "TaskState",
    "Unit",
    "User",
]
