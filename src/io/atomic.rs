//! Output files that appear whole or not at all, and never replace what the user did not
//! name.
//!
//! - A regular file (or a new one) is written to a temporary file in the same directory,
//!   synced and renamed onto it; an existing file keeps its mode (and, where allowed, its
//!   owner). Another hard link to the old file keeps the old contents.
//! - A symbolic link is followed: its target is written as above, the link stays a link.
//! - A character device, FIFO or socket is written in place, as a shell redirect would
//!   (`/dev/null` stays `/dev/null`; `/dev/full` gives "No space left on device").
//! - A directory or a block device is refused.
//!
//! Temporary files are registered while they exist, so that a signal handler can remove them
//! ([`remove_temporary_files_and_exit`]).

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Write `path` safely (see the module): through a temporary file renamed into place only
/// after `write` succeeded and the data was synced, or in place for a device or FIFO. On any
/// error the temporary file is removed and an existing regular file is left untouched.
pub fn write_atomically<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let mut out = OutputFile::create(path)?;
    write(out.writer()).map_err(|e| Error::io(path, e))?;
    out.commit()
}

/// The temporary files that exist now (removed on commit, on drop, or by a signal handler).
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temporary_files() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Remove every temporary output file of this process, then exit with `code`. Called by the
/// command line's signal handler (SIGINT, SIGTERM, SIGHUP): no `.NAME.PID.tmp` is left
/// behind, and no new one can be created or renamed once this started.
#[cfg(feature = "cli")]
pub fn remove_temporary_files_and_exit(code: i32) -> ! {
    let files = temporary_files();
    for path in files.iter() {
        let _ = std::fs::remove_file(path);
    }
    std::process::exit(code)
}

/// An output file being written: see the module for what happens to each kind of path.
/// Dropped without [`OutputFile::commit`], a temporary file is removed.
pub struct OutputFile {
    /// The path as named (for messages).
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    /// For a regular file: the temporary file and the file it will replace (a symlink's
    /// target, or the path itself).
    rename: Option<(PathBuf, PathBuf)>,
}

/// What an output path names, symlinks followed.
enum Target {
    /// A regular file (`Some` with its metadata) or nothing yet (`None`), at this path.
    File(PathBuf, Option<std::fs::Metadata>),
    /// A character device, FIFO or socket: written in place.
    Stream,
}

/// Follow `path` through symbolic links (at most 40, as the kernel does) to what it names.
fn resolve(path: &Path) -> Result<Target> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        let metadata = match std::fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Target::File(current, None))
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        let kind = metadata.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&current).map_err(|e| Error::io(path, e))?;
            current = match current.parent() {
                Some(dir) if link.is_relative() => dir.join(link),
                _ => link,
            };
            continue;
        }
        if kind.is_file() {
            return Ok(Target::File(current, Some(metadata)));
        }
        if kind.is_dir() {
            return Err(refused(path, "is a directory"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_block_device() {
                return Err(refused(path, "is a block device (not written, to be safe)"));
            }
        }
        return Ok(Target::Stream);
    }
    Err(refused(path, "too many levels of symbolic links"))
}

fn refused(path: &Path, why: &str) -> Error {
    Error::io(path, std::io::Error::other(why.to_string()))
}

impl OutputFile {
    /// Open `target` for writing (see the module).
    pub fn create(target: &Path) -> Result<Self> {
        match resolve(target)? {
            Target::Stream => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(target)
                    .map_err(|e| Error::io(target, e))?;
                Ok(OutputFile {
                    path: target.to_path_buf(),
                    writer: Some(BufWriter::with_capacity(1 << 16, file)),
                    rename: None,
                })
            }
            Target::File(file_path, existing) => {
                let mut registry = temporary_files();
                let (temp, file) = create_temporary(target, &file_path)?;
                registry.push(temp.clone());
                drop(registry);
                let out = OutputFile {
                    path: target.to_path_buf(),
                    writer: Some(BufWriter::with_capacity(1 << 16, file)),
                    rename: Some((temp, file_path)),
                };
                if let Some(metadata) = existing {
                    // Dropping `out` on error removes the temporary file.
                    out.keep_permissions(&metadata)?;
                }
                Ok(out)
            }
        }
    }

    /// Give the temporary file the owner (where allowed) and the mode of the file it
    /// replaces.
    fn keep_permissions(&self, metadata: &std::fs::Metadata) -> Result<()> {
        let file = self.writer.as_ref().expect("not yet committed").get_ref();
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let mine = file.metadata().map_err(|e| Error::io(&self.path, e))?;
            if (mine.uid(), mine.gid()) != (metadata.uid(), metadata.gid()) {
                // Only root may give a file away; others keep their own ownership.
                let _ = std::os::unix::fs::fchown(file, Some(metadata.uid()), Some(metadata.gid()));
            }
        }
        file.set_permissions(metadata.permissions())
            .map_err(|e| Error::io(&self.path, e))
    }

    /// The buffered writer of the output.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("not yet committed")
    }

    /// Flush; for a regular file also sync and rename the temporary file onto the target.
    /// On failure the temporary file is removed and the target left as it was.
    pub fn commit(mut self) -> Result<()> {
        let writer = self.writer.take().expect("commit once");
        let file = writer
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        let Some((temp, target)) = self.rename.take() else {
            return Ok(());
        };
        let mut registry = temporary_files();
        let result = file
            .sync_all()
            .and_then(|()| std::fs::rename(&temp, &target));
        registry.retain(|p| p != &temp);
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        drop(registry);
        result.map_err(|e| Error::io(&self.path, e))?;
        // The rename is durable once the directory is synced (best effort: not every
        // file system allows opening a directory).
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Some((temp, _)) = self.rename.take() {
            self.writer.take();
            let mut registry = temporary_files();
            let _ = std::fs::remove_file(&temp);
            registry.retain(|p| p != &temp);
        }
    }
}

/// Create `.<name>.<pid>.tmp` beside `file_path` (never an existing file: another suffix
/// is tried); errors name `target`, the path the user gave.
fn create_temporary(target: &Path, file_path: &Path) -> Result<(PathBuf, File)> {
    let name = file_path
        .file_name()
        .ok_or_else(|| refused(target, "not a file path"))?;
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        match attempt {
            0 => temp_name.push(format!(".{pid}.tmp")),
            n => temp_name.push(format!(".{pid}.{n}.tmp")),
        }
        let temp = file_path.with_file_name(temp_name);
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(target, e)),
        }
    }
    Err(refused(
        target,
        "could not create a temporary file beside it",
    ))
}

/// The identity (device, inode) of a regular file, following symlinks.
#[cfg(all(unix, feature = "cli"))]
fn identity(metadata: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    metadata.is_file().then(|| (metadata.dev(), metadata.ino()))
}

#[cfg(all(not(unix), feature = "cli"))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// The identity of the regular file behind standard input (`0`) or output (`1`), if any.
#[cfg(all(unix, feature = "cli"))]
fn std_identity(fd: i32) -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    let owned = match fd {
        0 => std::io::stdin().as_fd().try_clone_to_owned(),
        _ => std::io::stdout().as_fd().try_clone_to_owned(),
    }
    .ok()?;
    identity(&File::from(owned).metadata().ok()?)
}

#[cfg(all(not(unix), feature = "cli"))]
fn std_identity(_: i32) -> Option<(u64, u64)> {
    None
}

/// A file named on the command line: `-` (standard input or output) or a path.
#[cfg(feature = "cli")]
fn file_identity(name: &str, fd: i32) -> Option<(u64, u64)> {
    if name == "-" {
        std_identity(fd)
    } else {
        identity(&std::fs::metadata(name).ok()?)
    }
}

/// Refuse an output (`output_flag output`, `-` for stdout) that names the same file as one
/// of the `inputs` (`(flag, name)`, `-` for stdin): the same path, or the same device and
/// inode (through symlinks and hard links). Called before anything is read or written.
#[cfg(feature = "cli")]
pub fn refuse_same_file(output_flag: &str, output: &str, inputs: &[(&str, &str)]) -> Result<()> {
    let out_id = file_identity(output, 1);
    for &(flag, input) in inputs {
        let same_path = output != "-" && input == output;
        let same_file = out_id.is_some() && file_identity(input, 0) == out_id;
        if same_path || same_file {
            let shown = |name: &str| match name {
                "-" => "standard input/output".to_string(),
                path => path.to_string(),
            };
            return Err(Error::parameter(
                output_flag.trim_start_matches('-'),
                format!(
                    "{output_flag} {} is the same file as {flag} {}: refusing to overwrite an input (write to another file)",
                    shown(output),
                    shown(input)
                ),
            ));
        }
    }
    Ok(())
}
