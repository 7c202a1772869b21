"""Office files from plain data: no Django and nothing of peerdiag is imported here.

`model.py` holds the dataclasses; `pptx.py`, `docx.py` and `pdf.py` turn a `Feedback` into the
bytes of a presentation, a report or its PDF.
"""
