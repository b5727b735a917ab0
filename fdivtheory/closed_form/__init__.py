"""placeholder"""
from fdivtheory.closed_form import gaussian  # noqa: F401
from fdivtheory.closed_form._api import *  # noqa: F401,F403
from fdivtheory.closed_form._registry import *  # noqa: F401,F403
from fdivtheory.closed_form.gaussian import Gaussian  # noqa: F401
