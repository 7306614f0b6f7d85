# Sourced by the recipes (from the repository root): `model_folder <id> <runs folder>` prints the
# path of a built-in model's folder. A model still shipped is used where it is; one that a later
# model replaced left the repository, and its files are restored from git (the commit before the one
# that removed them) into <runs folder>/<id>, once.
model_folder() {
  local id=$1 runs=$2
  local shipped=resources/models/$id
  if [ -f "$shipped/model.json" ]; then
    realpath "$shipped"
    return
  fi
  local restored=$runs/$id
  if [ ! -f "$restored/model.json" ]; then
    local removed_in
    removed_in=$(git rev-list -1 HEAD -- "$shipped/model.json")
    [ -n "$removed_in" ] || { echo "model_folder: $id was never in this repository" >&2; return 1; }
    mkdir -p "$restored"
    for f in classify.onnx generate.onnx model.json; do
      git show "$removed_in^:$shipped/$f" > "$restored/$f"
    done
  fi
  realpath "$restored"
}
