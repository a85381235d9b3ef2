"""Type aliases shared by services and selectors."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser

#: A portal account: who acts in a service, whom a selector reads for.
User = AuthUser
#: ``request.user`` before login is checked: selectors that a page calls for anyone accept it.
Visitor = AuthUser | AnonymousUser
