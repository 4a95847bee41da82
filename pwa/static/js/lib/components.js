/*
 * Starting components, the GOV.UK Frontend way: each class names its `data-module` hook in a
 * static `moduleName`, and createAll starts one instance per element that carries it. One
 * component failing is logged and does not stop the others.
 */

/** Start `Component` on every `[data-module]` root for it in `scope`; returns the instances. */
export function createAll(Component, scope = document, onError = reportError) {
  const started = [];
  for (const root of scope.querySelectorAll(`[data-module="${Component.moduleName}"]`)) {
    try {
      started.push(new Component(root));
    } catch (error) {
      onError(error, Component, root);
    }
  }
  return started;
}

/**
 * The component classes of `registry` ({moduleName, load}) whose hooks are in `scope`, in the
 * registry's order, each module imported only then. A component that fails to load is
 * reported like one that fails to start, and left out.
 */
export async function loadUsed(registry, scope = document, onError = reportError) {
  const used = registry.filter(({ moduleName }) => scope.querySelector(`[data-module="${moduleName}"]`));
  const classes = await Promise.all(
    used.map(async (entry) => {
      try {
        return await entry.load();
      } catch (error) {
        onError(error, entry);
        return null;
      }
    })
  );
  return classes.filter(Boolean);
}

/** loadUsed, then createAllOf: the components of `registry` that `scope` uses, started. */
export async function startAll(registry, scope = document, onError = reportError) {
  return createAllOf(await loadUsed(registry, scope, onError), scope, onError);
}

/** createAll for each class in turn, in the order given. */
export function createAllOf(components, scope = document, onError = reportError) {
  return components.flatMap((Component) => createAll(Component, scope, onError));
}

function reportError(error, Component) {
  console.error(`Inversion Guide: ${Component.moduleName} did not start`, error);
}
