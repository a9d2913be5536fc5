//! Files the sandbox keeps beside its database are readable by their owner only.
use std::path::Path;

use crate::ServerError;

/// Writes `bytes` to a new file created with mode 0600.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ServerError> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o
        .open(path)
        .map_err(|e| ServerError::Io(path.display().to_string(), e))?;
    f.write_all(bytes)
        .map_err(|e| ServerError::Io(path.display().to_string(), e))?;
    owner_only(path)
}

/// Narrows an existing file to mode 0600 (files from an older sandbox were 0644).
pub fn owner_only(path: &Path) -> Result<(), ServerError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| ServerError::Io(path.display().to_string(), e))?;
        }
    }
    let _ = path;
    Ok(())
}

/// Creates the database file 0600 before SQLite opens it: SQLite gives its
/// `-wal` and `-shm` files the database file's mode.
pub fn prepare_db_file(path: &Path) -> Result<(), ServerError> {
    if !path.exists() {
        write_private(path, &[])?;
    }
    owner_only(path)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        owner_only(Path::new(&side))?;
    }
    Ok(())
}
