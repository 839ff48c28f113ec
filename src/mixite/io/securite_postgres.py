"""Scopes enforced by PostgreSQL itself: one database role per landlord, and row-level
security so that a landlord's role reads its own stock and households only, even
through a bug in the application.

A landlord's role (``mixite_bailleur_b01``, without login) is given to the accounts that
act for the landlord (``CREATE ROLE alice LOGIN IN ROLE mixite_bailleur_b01``, or the
platform's own connection with ``SET ROLE``); such an account may read:

- its landlord, buildings, entrances, dwellings and their households, its allocations,
  and the relocations from or into its stock (policies below);
- the shared tables: territories, communes, IRIS, QPV, 200 m squares and the
  applications (the shared file of applications that every landlord of the territory
  consults, as in the SNE);

and nothing else: no write, no journal, no audit. The policies are set again after
every write (a replaced table is a new table): :func:`proteger` runs in the write's
transaction whenever roles exist.
"""

from __future__ import annotations

from typing import Any

from mixite.io.store import table_names

#: Role name of a landlord: this prefix and its code in lower case.
PREFIXE = "mixite_bailleur_"

#: Readable by every landlord role, without row filter.
PARTAGEES = ("epci", "territoires", "communes", "iris", "qpv", "carreaux", "demandes")

#: Row filters: who sees a row of each scoped table (``mixite_bailleurs()`` are the
#: landlords whose role the current user holds; subqueries read the tables under their
#: own policy).
POLITIQUES = {
    "bailleurs": "code_bailleur IN (SELECT mixite_bailleurs())",
    "batiments": "code_bailleur IN (SELECT mixite_bailleurs())",
    "entrees": "id_batiment IN (SELECT id_batiment FROM batiments)",
    "logements": "id_entree IN (SELECT id_entree FROM entrees)",
    "menages": "id_logement IN (SELECT id_logement FROM logements)",
    "attributions": "code_bailleur IN (SELECT mixite_bailleurs())",
    "relogements": "code_bailleur IN (SELECT mixite_bailleurs()) "
    "OR apres_code_bailleur IN (SELECT mixite_bailleurs())",
    # A relocation file's interview, offers, actions and visits: those of the files the
    # landlord sees (its households, before or after the move).
    **{
        t: "id_relogement IN (SELECT id_relogement FROM relogements)"
        for t in (
            "entretiens_relogement",
            "propositions_relogement",
            "actions_relogement",
            "visites_relogement",
        )
    },
}


def role_du_bailleur(code: str) -> str:
    """The database role of a landlord.

    >>> role_du_bailleur("B01")
    'mixite_bailleur_b01'
    """
    safe = "".join(ch for ch in code.lower() if ch.isalnum() or ch == "_")
    return PREFIXE + safe


def _fonction(con: Any) -> None:
    """``mixite_bailleurs()``: the landlords whose role the current user holds."""
    con.execute(
        "CREATE OR REPLACE FUNCTION mixite_bailleurs() RETURNS SETOF VARCHAR LANGUAGE sql "
        "STABLE AS $$ SELECT code_bailleur FROM _mixite_roles "
        "WHERE pg_has_role(current_user, role, 'MEMBER') $$"
    )


def proteger(con: Any) -> None:
    """Grants and policies for every landlord role on the tables present (idempotent)."""
    present = set(table_names(con))
    if "_mixite_roles" not in present:
        return
    roles = [str(r[0]) for r in con.execute(
        "SELECT role FROM _mixite_roles WHERE role IN (SELECT rolname FROM pg_roles)"
    ).fetchall()]  # fmt: skip
    known = con.execute("SELECT count(*) FROM pg_proc WHERE proname = 'mixite_bailleurs'")
    if not known.fetchone()[0]:
        _fonction(con)
    # Only what is missing: each GRANT or ALTER locks the table against readers until
    # the write commits. One query for every table and role (a write asked each pair).
    tables = [t for t in (*PARTAGEES, *POLITIQUES, "_mixite_roles") if t in present]
    missing = con.execute(
        "SELECT t, r FROM unnest(?::text[]) AS t, unnest(?::text[]) AS r "
        "WHERE NOT has_table_privilege(r, quote_ident(t), 'SELECT') ORDER BY t, r",
        [tables, roles],
    ).fetchall()
    for table, role in missing:
        con.execute(f'GRANT SELECT ON "{table}" TO "{role}"')
    protected = {
        str(r[0])
        for r in con.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE c.relrowsecurity AND p.polname = 'perimetre_bailleur' "
            "AND c.relnamespace = current_schema()::regnamespace"
        ).fetchall()
    }
    for table, rule in POLITIQUES.items():
        if table not in present or table in protected:
            continue
        con.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        con.execute(f'DROP POLICY IF EXISTS perimetre_bailleur ON "{table}"')
        con.execute(f'CREATE POLICY perimetre_bailleur ON "{table}" FOR SELECT USING ({rule})')


def creer_roles(con: Any, codes: list[str]) -> list[str]:
    """A role per landlord code (created when absent), recorded, then protected."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS _mixite_roles (role VARCHAR PRIMARY KEY, code_bailleur VARCHAR)"
    )
    names = []
    for code in codes:
        role = role_du_bailleur(code)
        exists = con.execute("SELECT count(*) FROM pg_roles WHERE rolname = ?", [role]).fetchone()
        if not exists or not exists[0]:
            con.execute(f'CREATE ROLE "{role}" NOLOGIN')
        con.execute("DELETE FROM _mixite_roles WHERE role = ?", [role])
        con.execute("INSERT INTO _mixite_roles VALUES (?, ?)", [role, code])
        names.append(role)
    proteger(con)
    return names
