// Piscina loads a worker file with require() first; on Node 20 require() of an ES module graph can
// abort the process, so the pool loads this CommonJS shim, which imports the ES module entry.
'use strict';
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const entry = import(pathToFileURL(path.join(__dirname, '..', 'dist', 'workers', 'row-stage.js')).href).then((m) => m.default);

module.exports = async function rowStage(task) {
  return (await entry)(task);
};
