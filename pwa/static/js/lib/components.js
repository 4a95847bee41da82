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

/** createAll for each class in turn, in the order given. */
export function createAllOf(components, scope = document, onError = reportError) {
  return components.flatMap((Component) => createAll(Component, scope, onError));
}

function reportError(error, Component) {
  console.error(`Inversion Guide: ${Component.moduleName} did not start`, error);
}
