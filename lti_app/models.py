"""Import every model so that ``Base.metadata`` knows every table (for migrations)."""

from .lti.models import Deployment, Platform, ToolKey  # noqa: F401
from .store import StoreEntry  # noqa: F401
from .grades.models import ScoreDelivery  # noqa: F401
from .quiz.attempts import Attempt  # noqa: F401
from .pact.models import PactSignature  # noqa: F401
from .admin.models import AdminAccount, RegistrationLink  # noqa: F401
