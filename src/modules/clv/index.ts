export { fitFile, type FileFitOptions, type FileFitResult } from './file-fit.ts';
export { TooLittleData } from './fit-models.ts';
export { TransactionFileError, type TransactionFormat } from './transaction-files.ts';
export { dayNumber, type TimeUnit } from './transactions.ts';
