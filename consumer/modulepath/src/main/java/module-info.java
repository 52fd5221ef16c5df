/** The README's quick start as a named module: vmlifecycle on the module path. */
module com.example.quickstart {
  requires io.github.vmlifecycle;
  requires io.github.vmlifecycle.fake;
}
