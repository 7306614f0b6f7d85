// A run's image lookup lives with the other answers to "which pixels belong to this sample"
// (src/main/media/sampleSource.ts); the runner imports it from here.
export { imageSources } from '../media/sampleSource'
