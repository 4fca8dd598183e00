// lab06: images. Everything lab05 does (run on overlay layers, diff, rm, stats, ns), plus an
// image store: `pull` from a registry over the distribution API, `push`, `images`, `rmi`, `tag`,
// `inspect`, `history`, `save`, `load`, `import`, `system df` and `image prune`. Images live in
// an OCI image layout under <state root>/images (skopeo and umoci read it), their layers
// unpacked once per diff_id under <state root>/layers, ready for lab05's --layer. The wiring
// is in labs/common/earlier_forms.cpp, because lab 07 keeps it for lab 05's forms of run.
#include "earlier_forms.hpp"

int main(int argc, char** argv) { return labcli::layers_and_images_main("lab06", argc, argv); }
