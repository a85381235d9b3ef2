"""Type aliases shared by services and selectors."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser

#: Whoever a service acts for or a selector reads for: a portal user, or nobody logged in.
User = AuthUser | AnonymousUser
