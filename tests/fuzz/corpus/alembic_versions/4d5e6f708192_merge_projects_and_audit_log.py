"""merge projects and audit log

Revision ID: 4d5e6f708192
Revises: 3c4d5e6f7081, 2b3c4d5e6f70
Create Date: 2026-11-22 08:15:37.796576

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
# (formatted by black through a post_write_hooks entry: double quotes, and the
# merge parents one per line)
revision = "4d5e6f708192"
down_revision = (
    "3c4d5e6f7081",
    "2b3c4d5e6f70",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("releases")
