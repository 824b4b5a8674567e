"""Operations between the web/CLI and the database: load rows, call the domain, write back."""
