"""Every write of the budget app, by concern: ``letters`` (generating and recalculating drafts, their
prices), ``issuing`` (issue, acknowledge, delete a draft, the issued-letter e-mail) and ``alerts``
(deadline reminders and overrun alerts). Import from those modules; the reads they share (the last
issued letter, deadlines, volume margins) are in ``budget.selectors``.
"""
