"""Every write of the quality app, by concern: ``measurements`` (the file, the portal upload and the API,
validated alike), ``breaches`` (explanations of a norm missed) and ``reports`` (the quarterly reports and
their e-mail). Import from those modules.
"""
