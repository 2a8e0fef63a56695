"""A class of learners: their names, their progress folders, and the teacher's report.

No Textual and no web server here: `tutor web` (tutor/cli/web.py) keeps each served
learner's progress in `learner_dir(...)`, and `tutor classroom report` reads them back.
"""
