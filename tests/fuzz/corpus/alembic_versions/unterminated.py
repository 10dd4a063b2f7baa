revision = "abc"
down_revision = ("a", "b")
"""doc
