"""The files city staff write by hand (flows, catalogs, town data): reading them with line
numbers, and reporting what is wrong as "file:line: what to fix".

A leaf: it imports nothing of civicline's, so every layer that reads a staff file may use it.
"""
